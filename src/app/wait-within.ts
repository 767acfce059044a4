// Waiting for work that may never finish (a request to a hung server, a client's close) without
// being held by it: the caller goes on after `ms` and the work is left to settle, or not, alone.

/** Resolves true once `work` settled (fulfilled or rejected), false after `ms`; never rejects. */
export function waitWithin(work: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  if (!work) return Promise.resolve(true);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = work.then(
    () => true,
    () => true,
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}
