/**
 * The editor's stylesheet, as text to put in a <style> element (a string so
 * the editor needs no CSS loader in the game's bundler). Fixed chart sizes
 * and reserved space for messages keep the layout still while data arrives.
 */
export const EDITOR_CSS = `
.pq-editor { font: 13px/1.4 system-ui, sans-serif; color: #e8f0e3; background: #17251a; padding: 8px 10px; box-sizing: border-box; width: 100%; max-width: 660px; }
.pq-section { border: 1px solid #34503a; border-radius: 6px; margin: 0 0 8px; padding: 6px 8px 8px; }
.pq-section legend { padding: 0 4px; color: #ffb347; font-weight: 600; }
.pq-row { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.pq-editor button { font: inherit; padding: 4px 10px; border-radius: 4px; border: 1px solid #5c8a5f; background: #2b4a30; color: #f3f7ef; cursor: pointer; }
.pq-editor button.pq-pause { min-width: 6.2em; }
.pq-editor button:disabled { opacity: 0.45; cursor: default; }
.pq-editor button:focus-visible, .pq-editor input:focus-visible, .pq-editor select:focus-visible, .pq-drop:focus-visible { outline: 2px solid #ffb347; outline-offset: 1px; }
.pq-editor input, .pq-editor select { font: inherit; background: #0f1a11; color: #e8f0e3; border: 1px solid #47664b; border-radius: 3px; padding: 2px 4px; }
.pq-field { display: inline-flex; flex-direction: column; gap: 1px; margin: 0 8px 4px 0; font-size: 12px; }
.pq-field input { width: 110px; }
.pq-settings button[type=submit] { margin-top: 4px; }
.pq-status { margin: 6px 0 2px; min-height: 2.8em; color: #cfe8b8; }
.pq-message { margin: 2px 0 0; min-height: 2.8em; }
.pq-error { color: #ff8a73; min-height: 1.4em; margin: 4px 0 0; }
.pq-progress { display: flex; gap: 8px; align-items: center; height: 18px; }
.pq-progress[hidden] { display: flex; visibility: hidden; }
.pq-banner { background: #3b3218; border: 1px solid #ffb347; border-radius: 6px; padding: 6px 8px; margin-bottom: 8px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.pq-banner[hidden] { display: none; }
.pq-charts { display: grid; grid-template-columns: repeat(2, 300px); gap: 4px 10px; }
.pq-chart { margin: 0; width: 300px; height: 196px; overflow: hidden; }
.pq-chart .u-title { font-size: 12px; font-weight: 600; color: #e8f0e3; }
.pq-chart .u-legend { font-size: 10px; color: #cfe8b8; margin: 0; }
.pq-chart .u-legend th, .pq-chart .u-legend td { padding: 0 2px; }
.pq-credit-note { min-height: 1.4em; }
.pq-credit-row { display: grid; grid-template-columns: 50px 1fr 70px; gap: 6px; align-items: center; height: 18px; }
.pq-bar { display: block; height: 10px; width: 0; background: #ffb347; border-radius: 2px; transition: width 0.2s; }
.pq-value { text-align: right; font-variant-numeric: tabular-nums; }
.pq-note { color: #9fb39a; font-size: 12px; margin: 4px 0; }
.pq-list { list-style: none; margin: 6px 0 0; padding: 0; max-height: 120px; overflow-y: auto; }
.pq-list li { display: flex; gap: 8px; align-items: center; padding: 2px 0; }
.pq-name { font-weight: 600; min-width: 90px; }
.pq-meta { color: #9fb39a; flex: 1; }
.pq-drop { margin-top: 6px; border: 1px dashed #5c8a5f; border-radius: 6px; padding: 10px; text-align: center; color: #9fb39a; }
.pq-drop.pq-over { background: #24402a; }
.pq-check { display: flex; gap: 6px; align-items: center; }
.pq-overlay { position: absolute; left: 0; top: 0; pointer-events: none; z-index: 10; }
.pq-npc { position: absolute; transform: translate(-50%, -150%); white-space: nowrap; font: 11px/1.2 ui-monospace, monospace; background: rgba(10, 20, 12, 0.8); color: #fff; padding: 1px 4px; border-radius: 3px; }
`;
