// One cell per decoder layer, coloured by its precision. Cells are updated in place (not rebuilt)
// so that a swap changes exactly one element, which the browser test watches for.

/** Precision to colour, widest first; anything else gets the "other" colour. */
const COLOURS = [
  ['F32', '#4c8dff'],
  ['F16', '#3fb8af'],
  ['BF16', '#3fb8af'],
  ['Q8_0', '#e3b341'],
  ['Q6_K', '#f0883e'],
  ['Q5_K', '#f0883e'],
  ['Q4_K', '#f85149'],
  ['Q4_0', '#f85149'],
];
const OTHER = '#8b95a7';

export function colour(precision) {
  return COLOURS.find(([p]) => p === precision)?.[1] ?? OTHER;
}

export function renderLayers(container, layers) {
  if (container.children.length !== layers.length) {
    container.replaceChildren(...layers.map(() => {
      const cell = document.createElement('div');
      cell.className = 'cell';
      cell.innerHTML = '<span class="index"></span><span class="precision"></span>';
      return cell;
    }));
  }
  layers.forEach((layer, i) => {
    const cell = container.children[i];
    if (cell.dataset.precision === layer.precision && cell.dataset.state === layer.state && (cell.dataset.moving || null) === layer.moving_to) {
      return;
    }
    cell.dataset.layer = String(layer.layer);
    cell.dataset.precision = layer.precision;
    cell.dataset.state = layer.state;
    if (layer.moving_to) cell.dataset.moving = layer.moving_to;
    else delete cell.dataset.moving;
    cell.style.setProperty('--precision', colour(layer.precision));
    cell.querySelector('.index').textContent = `L${layer.layer}`;
    cell.querySelector('.precision').textContent = layer.precision;
    cell.title = `layer ${layer.layer}: ${layer.precision}, ${layer.state}${layer.moving_to ? `, moving ${layer.moving_to}` : ''}`;
  });
}

/** The precisions a layer can be at: the ones seen now plus the configured levels. */
export function renderLegend(container, layers, levels) {
  const seen = new Set(layers.filter((l) => l.level === 0).map((l) => l.precision));
  (levels || '').split(',').filter(Boolean).forEach((p) => seen.add(p.trim()));
  layers.forEach((l) => seen.add(l.precision));
  const key = [...seen].join(',');
  if (container.dataset.key === key) return;
  container.dataset.key = key;
  container.replaceChildren(...[...seen].map((p) => {
    const item = document.createElement('span');
    item.className = 'swatch';
    item.style.setProperty('--precision', colour(p));
    item.textContent = p;
    return item;
  }));
}
