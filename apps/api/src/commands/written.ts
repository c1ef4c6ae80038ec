/**
 * What a write answers over HTTP: the record it wrote, and the global position of its last
 * event (what a read passes as `minPosition` to see it; the stream's last when nothing changed).
 */
export interface Written {
  id: string;
  position: number;
}

/** The answer to a command that wrote the record `id`, from what the command executor answered it. */
export function written(id: string, executed: { position: bigint }): Written {
  return { id, position: Number(executed.position) };
}
