/** Runs at most `n` async jobs at once (e.g. sparkline requests for a long feed list). */
export function limiter(n: number) {
  let running = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (running >= n || !queue.length) return;
    running++;
    queue.shift()!();
  };
  return function run<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push(() => {
        job().then(resolve, reject).finally(() => {
          running--;
          next();
        });
      });
      next();
    });
  };
}
