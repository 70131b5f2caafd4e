/** Small helpers to write SVG as text (no DOM: the same code runs in Node and in a page). */

/** Text with &, <, > and quotes escaped for SVG and HTML. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

/** A number rounded to 2 decimals for coordinates (keeps the files small). */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** An SVG element: `tag("circle", { cx: 1 })`, with children given as text. */
export function tag(
  name: string,
  attributes: Record<string, string | number | undefined>,
  ...children: string[]
): string {
  const attrs = Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(typeof value === "number" ? px(value) : String(value))}"`)
    .join("");
  return children.length === 0 ? `<${name}${attrs}/>` : `<${name}${attrs}>${children.join("")}</${name}>`;
}

/** The root element of a picture `width` × `height` with a white background. */
export function svgDocument(width: number, height: number, ...children: string[]): string {
  return tag(
    "svg",
    {
      xmlns: "http://www.w3.org/2000/svg",
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      "font-family": "DejaVu Sans, Liberation Sans, Arial, sans-serif",
      "font-size": 13,
    },
    tag("rect", { width, height, fill: "#ffffff" }),
    ...children,
  );
}

/** A legend: a coloured line and a label per entry, in a column at (x, y) on a translucent box. */
export function legend(x: number, y: number, entries: { label: string; colour: string; dash?: string }[]): string {
  const rowHeight = 18;
  const width = 28 + Math.max(...entries.map((entry) => entry.label.length)) * 7.6;
  return tag(
    "g",
    { transform: `translate(${px(x)},${px(y)})` },
    tag("rect", {
      x: -6,
      y: -12,
      width: width + 8,
      height: entries.length * rowHeight + 6,
      fill: "#ffffff",
      "fill-opacity": 0.85,
      stroke: "#999999",
      rx: 4,
    }),
    ...entries.map((entry, i) =>
      tag(
        "g",
        { transform: `translate(0,${i * rowHeight})` },
        tag("line", {
          x1: 0,
          x2: 20,
          y1: -4,
          y2: -4,
          stroke: entry.colour,
          "stroke-width": 3,
          "stroke-dasharray": entry.dash,
        }),
        tag("text", { x: 26, y: 0 }, escapeXml(entry.label)),
      ),
    ),
  );
}

/** Width of a legend row's entry with `label`. */
const entryWidth = (label: string) => 44 + label.length * 8;

/** The rows a legend of `labels` takes when wrapped at `maxWidth`. */
export function legendRows(labels: readonly string[], maxWidth: number): number {
  let rows = labels.length > 0 ? 1 : 0;
  let at = 0;
  for (const label of labels) {
    if (at > 0 && at + entryWidth(label) > maxWidth) [rows, at] = [rows + 1, 0];
    at += entryWidth(label);
  }
  return rows;
}

/** A legend in rows from (x, y): a coloured line and a label per entry, wrapped at `maxWidth`, 20 pixels a row. */
export function legendRow(
  x: number,
  y: number,
  entries: { label: string; colour: string; dash?: string }[],
  maxWidth = Infinity,
): string {
  let at = 0;
  let row = 0;
  return tag(
    "g",
    { transform: `translate(${px(x)},${px(y)})` },
    ...entries.map((entry) => {
      if (at > 0 && at + entryWidth(entry.label) > maxWidth) [row, at] = [row + 1, 0];
      const item = tag(
        "g",
        { transform: `translate(${px(at)},${row * 20})` },
        tag("line", {
          x1: 0,
          x2: 20,
          y1: -4,
          y2: -4,
          stroke: entry.colour,
          "stroke-width": 3,
          "stroke-dasharray": entry.dash,
        }),
        tag("text", { x: 25, y: 0 }, escapeXml(entry.label)),
      );
      at += entryWidth(entry.label);
      return item;
    }),
  );
}
