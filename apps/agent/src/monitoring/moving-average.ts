/** The mean of the last `size` values pushed (fewer at the start). */
export class MovingAverage {
  readonly #values: number[] = [];
  readonly #size: number;

  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 1)
      throw new RangeError(`moving average window ${size} must be a positive integer`);
    this.#size = size;
  }

  /** Add a value and return the new mean. */
  push(value: number): number {
    this.#values.push(value);
    if (this.#values.length > this.#size) this.#values.shift();
    return this.value;
  }

  /** The current mean (0 before any value). */
  get value(): number {
    if (this.#values.length === 0) return 0;
    return this.#values.reduce((sum, value) => sum + value, 0) / this.#values.length;
  }
}
