// A few stroke icons drawn inline, so the page needs no icon font or emoji font on the machine.

/** @type {Record<string, string[]>} path data on a 24×24 grid */
const PATHS = {
  image: ['M4 5h16v14H4z', 'M4 16l5-5 4 4 3-3 4 4', 'M15.5 9.5a1.5 1.5 0 1 0 0-.01'],
  video: ['M3 6h13v12H3z', 'M16 10l5-3v10l-5-3'],
  file: ['M6 3h8l4 4v14H6z', 'M14 3v4h4'],
  upload: ['M12 16V4', 'M7 9l5-5 5 5', 'M4 20h16'],
  close: ['M6 6l12 12', 'M18 6L6 18'],
  download: ['M12 4v12', 'M7 11l5 5 5-5', 'M4 20h16'],
  key: ['M14.5 9.5a4 4 0 1 0-.01 0', 'M11.5 12.5L4 20', 'M6 18l2 2', 'M8 16l2 2'],
  stop: ['M7 7h10v10H7z'],
  refresh: ['M20 11a8 8 0 0 0-14.9-3', 'M4 4v4h4', 'M4 13a8 8 0 0 0 14.9 3', 'M20 20v-4h-4'],
  play: ['M7 5l12 7-12 7z'],
  code: ['M8 7l-5 5 5 5', 'M16 7l5 5-5 5'],
  book: ['M4 4h7a2 2 0 0 1 2 2v14a2 2 0 0 0-2-2H4z', 'M20 4h-7a2 2 0 0 0-2 2v14a2 2 0 0 1 2-2h7z'],
};

const NS = 'http://www.w3.org/2000/svg';

/** An inline SVG icon. @param {keyof typeof PATHS} name @param {number} [px] */
export function icon(name, px = 18) {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(px));
  svg.setAttribute('height', String(px));
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  for (const d of PATHS[name] ?? []) {
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}
