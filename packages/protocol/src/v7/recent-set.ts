/** A set that remembers only its last `capacity` entries (oldest forgotten first). */
export class RecentSet {
  private readonly order: string[] = [];
  private readonly members = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(value: string): boolean {
    return this.members.has(value);
  }

  add(value: string): void {
    if (this.members.has(value)) return;
    this.members.add(value);
    this.order.push(value);
    if (this.order.length > this.capacity) {
      const oldest = this.order.shift();
      if (oldest !== undefined) this.members.delete(oldest);
    }
  }
}
