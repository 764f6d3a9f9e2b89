/**
 * Progress of work that is still inside its own transaction. On PGlite nothing else can read or
 * write while that transaction is open, so the running process keeps the newest state here and
 * readers merge it over the stored row. The entry is removed once the final state is stored.
 */
export class LiveProgress {
  private readonly states = new Map<string, Record<string, unknown>>();

  set(kind: string, id: number, state: Record<string, unknown>): void {
    this.states.set(`${kind}:${id}`, { ...this.states.get(`${kind}:${id}`), ...state });
  }

  get(kind: string, id: number): Record<string, unknown> | undefined {
    return this.states.get(`${kind}:${id}`);
  }

  delete(kind: string, id: number): void {
    this.states.delete(`${kind}:${id}`);
  }
}
