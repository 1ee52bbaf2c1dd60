import { expect, screen, test } from '../support/app';

// What a browser with an empty cache transfers to show the sign-in page, and
// when the page answers to typing. The figures are recorded (attached to the
// report and printed), never asserted: timings belong to `make bench` and
// bench/RESULTS.md. What is asserted is how the bundle is served.

type Loaded = { name: string; encodedBodySize: number; transferSize: number };

test.describe('the first load', () => {
  test('a first visit gets every asset compressed and cacheable and records its bytes and time to interactive', async ({
    page,
  }, testInfo) => {
    const served = new Map<string, { encoding: string; cache: string }>();
    page.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (!path.startsWith('/api/')) {
        const headers = response.headers();
        served.set(path, { encoding: headers['content-encoding'] ?? '', cache: headers['cache-control'] ?? '' });
      }
    });

    await page.goto('/login');
    await expect(page.getByLabel('Email')).toBeEditable();
    const interactiveMs = await page.evaluate(() => performance.now());
    const loaded: Loaded[] = await page.evaluate(() =>
      [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
        .map((e) => e as PerformanceResourceTiming)
        .filter((e) => !new URL(e.name).pathname.startsWith('/api/'))
        .map((e) => ({ name: new URL(e.name).pathname, encodedBodySize: e.encodedBodySize, transferSize: e.transferSize })),
    );

    // index.html, the wasm-bindgen glue, the wasm and the stylesheet.
    const kinds = ['.js', '_bg.wasm', '.css'];
    for (const kind of kinds) {
      const assets = [...served.keys()].filter((p) => p.endsWith(kind));
      expect(assets, `one ${kind} asset`).toHaveLength(1);
      const { encoding, cache } = served.get(assets[0])!;
      expect(encoding, `${assets[0]} is sent as brotli`).toBe('br');
      expect(cache, `${assets[0]} carries its content hash`).toContain('immutable');
    }
    expect(served.get('/login')?.cache).toBe('no-cache');

    const bodyBytes = loaded.reduce((sum, e) => sum + e.encodedBodySize, 0);
    const transferred = loaded.reduce((sum, e) => sum + e.transferSize, 0);
    const figures = { bodyBytes, transferred, interactiveMs: Math.round(interactiveMs), loaded };
    await testInfo.attach('first-load.json', { body: JSON.stringify(figures, null, 2), contentType: 'application/json' });
    console.log(
      `first load: ${bodyBytes} body bytes (${transferred} with headers), interactive after ${figures.interactiveMs} ms`,
    );
    expect(bodyBytes, 'the browser reports what it transferred').toBeGreaterThan(0);
    await screen(page, 'first-load-sign-in');
  });
});
