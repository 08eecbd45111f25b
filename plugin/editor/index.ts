/** The in-browser training editor (DOM + uPlot; load `uplot/dist/uPlot.min.css` and `EDITOR_CSS`). */
export { TrainingEditor, type TrainingEditorOptions, type EditorTrainer, type EditorMetrics, type EditorBackend, type EditorCheckpointInfo } from './editor.js';
export { MetricChart, type ChartSeries } from './charts.js';
export { EDITOR_CSS } from './style.js';
