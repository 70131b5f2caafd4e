/** The `mnist` package (CommonJS): one entry per digit 0–9 with its raw pixels (28 × 28 per sample, 0–1). */
declare module "mnist" {
  interface Digit {
    readonly id: number;
    readonly raw: readonly number[];
    readonly length: number;
  }
  const digits: readonly Digit[];
  export default digits;
}
