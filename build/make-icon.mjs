// Draws the app icon (build/icon.png, 1024×1024) without any image tool:
// a rounded tile, rows of a report streaming in, and a progress bar.
// Run: node build/make-icon.mjs
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { URL } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 1024;
const SAMPLES = 4; // 4×4 supersampling for smooth edges

/** Inside a rounded rectangle (x, y, w, h, r in 0..1 of the icon)? */
const inRoundRect = (px, py, x, y, w, h, r) => {
  if (px < x || px > x + w || py < y || py > y + h) return false;
  const cx = Math.min(Math.max(px, x + r), x + w - r);
  const cy = Math.min(Math.max(py, y + r), y + h - r);
  return (px - cx) ** 2 + (py - cy) ** 2 <= r * r;
};

const hex = (value) => [1, 3, 5].map((i) => parseInt(value.slice(i, i + 2), 16));
const mix = (a, b, t) => a.map((channel, i) => channel + (b[i] - channel) * t);
const TOP = hex('#1d4ed8');
const BOTTOM = hex('#0f766e');
const ROW = hex('#e0f2fe');
const ROW_NEW = hex('#fbbf24');
const TRACK = hex('#0b3a5c');
const FILL = hex('#fbbf24');

// Report rows of two cells: [y, width of the first cell]; the last one is arriving (amber).
const rows = [
  [0.25, 0.3],
  [0.35, 0.22],
  [0.45, 0.34],
  [0.55, 0.26],
];

/** The colour at one point, or null outside the tile. */
function colourAt(px, py) {
  if (!inRoundRect(px, py, 0.04, 0.04, 0.92, 0.92, 0.2)) return null;
  let colour = mix(TOP, BOTTOM, (px + py) / 2);
  rows.forEach(([y, width], i) => {
    if (inRoundRect(px, py, 0.2, y, width, 0.06, 0.03)) colour = i === rows.length - 1 ? ROW_NEW : ROW;
    if (i < rows.length - 1 && inRoundRect(px, py, 0.2 + width + 0.04, y, 0.56 - width, 0.06, 0.03)) colour = mix(colour, ROW, 0.45);
  });
  if (inRoundRect(px, py, 0.2, 0.7, 0.6, 0.07, 0.035)) colour = inRoundRect(px, py, 0.2, 0.7, 0.39, 0.07, 0.035) ? FILL : TRACK;
  return colour;
}

const pixels = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  const rowStart = y * (SIZE * 4 + 1);
  pixels[rowStart] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    const sum = [0, 0, 0];
    let covered = 0;
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const colour = colourAt((x + (sx + 0.5) / SAMPLES) / SIZE, (y + (sy + 0.5) / SAMPLES) / SIZE);
        if (!colour) continue;
        covered++;
        colour.forEach((channel, i) => (sum[i] += channel));
      }
    }
    const offset = rowStart + 1 + x * 4;
    if (covered > 0) sum.forEach((channel, i) => (pixels[offset + i] = Math.round(channel / covered)));
    pixels[offset + 3] = Math.round((covered / SAMPLES ** 2) * 255);
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buffer) => {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
};
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace

const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(pixels, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`build/icon.png: ${SIZE}×${SIZE}, ${png.length} bytes`);
