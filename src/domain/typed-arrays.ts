/** A typed array of `capacity` elements holding the first elements of `array` (growing or shrinking it). */
export function resized<T extends Int32Array | Float64Array | Uint8Array | BigInt64Array>(
  array: T,
  capacity: number,
): T {
  const next = new (array.constructor as new (n: number) => T)(capacity);
  (next as unknown as Int32Array).set(array.subarray(0, Math.min(array.length, capacity)) as unknown as Int32Array);
  return next;
}
