/** A one-line progress bar on stderr (only when it is a terminal: scripts get clean output). */
export class ProgressBar {
  private last = 0;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(label: string, done: number, total: number, extra = ''): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const width = 30;
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(ratio * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    this.stream.write(`\r${label} ${bar} ${(ratio * 100).toFixed(0).padStart(3)}% ${done}/${total} ${extra}`.padEnd(100));
  }

  done(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
