/** SVG to PNG with @resvg/resvg-js (Node only), using the system's fonts. */
import { Resvg } from "@resvg/resvg-js";

/** The PNG bytes of `svg`, rendered at `scale` times its size. */
export function svgToPng(svg: string, scale = 1): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: scale === 1 ? { mode: "original" } : { mode: "zoom", value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}
