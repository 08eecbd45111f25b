/**
 * The checkpoint and policy-file parts of the editor panel: save under a
 * name, the saved list with load buttons, export (download) and import (file
 * picker or drag and drop). The editor does the work; this is the DOM.
 */
import { button, el, section } from './dom.js';
import type { EditorCheckpointInfo } from './editor.js';

/** What the buttons do. */
export interface FilesActions {
  save(name: string): void;
  load(name: string): void;
  exportPolicy(): void;
  importPolicy(text: string): void;
}

/**
 * @example
 * ```ts
 * const files = new FilesPanel(panel, { save, load, exportPolicy, importPolicy });
 * files.list(await store.list());
 * ```
 */
export class FilesPanel {
  private readonly saveButton: HTMLButtonElement;
  private readonly items: HTMLElement;
  private readonly load: (name: string) => void;

  constructor(parent: HTMLElement, actions: FilesActions) {
    const name = el('input', { type: 'text', name: 'checkpoint', placeholder: 'name', 'aria-label': 'checkpoint name' }) as HTMLInputElement;
    this.saveButton = button('Save checkpoint', () => actions.save(name.value));
    this.items = el('ul', { class: 'pq-list', 'aria-label': 'saved checkpoints' });
    const saveRow = el('div', { class: 'pq-row' });
    saveRow.append(name, this.saveButton);
    parent.append(section('Checkpoints', saveRow, this.items));

    const file = el('input', { type: 'file', accept: '.json,application/json', 'aria-label': 'import a policy file' }) as HTMLInputElement;
    file.addEventListener('change', () => {
      const f = file.files?.[0];
      if (f) void f.text().then((t) => actions.importPolicy(t));
      file.value = '';
    });
    const drop = el('div', { class: 'pq-drop', tabindex: '0', role: 'button', 'aria-label': 'choose or drop a policy file' }, 'or drop a policy file here (Enter: choose one)');
    // Keyboard users reach the drop zone too: Enter or Space opens the file chooser.
    drop.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      file.click();
    });
    drop.addEventListener('click', () => file.click());
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('pq-over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('pq-over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('pq-over');
      const f = e.dataTransfer?.files?.[0];
      if (f) void f.text().then((t) => actions.importPolicy(t));
    });
    const policyRow = el('div', { class: 'pq-row' });
    policyRow.append(button('Export policy', () => actions.exportPolicy()), file);
    parent.append(section('Policy file', policyRow, drop));
    this.load = actions.load;
  }

  /** Enables saving (only while a trainer runs). */
  canSave(yes: boolean): void {
    this.saveButton.disabled = !yes;
  }

  /** Shows the saved checkpoints, newest first. */
  list(saved: readonly EditorCheckpointInfo[]): void {
    this.items.replaceChildren();
    for (const c of [...saved].sort((a, b) => b.savedAt.localeCompare(a.savedAt))) {
      const li = el('li');
      li.append(
        el('span', { class: 'pq-name' }, c.name),
        el('span', { class: 'pq-meta' }, `${new Date(c.savedAt).toLocaleString()} \u00b7 ${c.envSteps} steps`),
        button('Load', () => this.load(c.name), `Load checkpoint ${c.name}`),
      );
      this.items.appendChild(li);
    }
    if (saved.length === 0) this.items.appendChild(el('li', { class: 'pq-note' }, 'none yet'));
  }

  /** Offers `text` as a file download. */
  download(fileName: string, text: string): void {
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = el('a', { href: url, download: fileName });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
