/** Small DOM builders for the editor panel. */

/** An element with attributes and optional text. */
export function el(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A button (type=button) calling `onClick`; `label` for its accessible name. */
export function button(text: string, onClick: () => void, label?: string): HTMLButtonElement {
  const b = el('button', { type: 'button', ...(label ? { 'aria-label': label } : {}) }, text) as HTMLButtonElement;
  b.addEventListener('click', onClick);
  return b;
}

/** An option of a select. */
export function option(value: string, text: string): HTMLOptionElement {
  const o = el('option', { value }, text) as HTMLOptionElement;
  return o;
}

/** A control with its visible label. */
export function labelled(text: string, control: HTMLElement): HTMLElement {
  const l = el('label', { class: 'pq-field' });
  l.append(el('span', {}, text), control);
  return l;
}

/** A titled fieldset. */
export function section(title: string, ...children: HTMLElement[]): HTMLElement {
  const s = el('fieldset', { class: 'pq-section' });
  s.append(el('legend', {}, title), ...children);
  return s;
}
