/**
 * Keeps an insertion-ordered Map used as a cache to at most `max` entries: past it, the oldest
 * tenth goes in one pass. (Deleting the first key at every insert instead costs more and more:
 * each delete leaves a hole in V8's table that the next `keys().next()` walks over again, until
 * the table is rebuilt.)
 */
export function trimOldest<K, V>(map: Map<K, V>, max: number): void {
  if (map.size <= max) return;
  let excess = map.size - max + Math.ceil(max / 10);
  for (const key of map.keys()) {
    map.delete(key);
    if (--excess <= 0) return;
  }
}
