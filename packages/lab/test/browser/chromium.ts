// Debian's chromium, driven by playwright-core (which downloads no browser of its own).
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** The Chromium binary: $CHROMIUM_BIN, or Debian's. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_BIN, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(
    (p): p is string => Boolean(p),
  );
  const found = candidates.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      `no Chromium found (looked at ${candidates.join(", ")}): install Debian's package with 'apt-get install -y chromium'`,
    );
  }
  return found;
}

/** A headless Chromium that reaches nothing but the loopback address. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"],
  });
}
