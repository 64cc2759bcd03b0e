// Docker HEALTHCHECK for the image (plain JavaScript, so it starts fast without tsx).
// Healthy while GET /health-check answers READY, BUSY or STARTING (setup is still
// loading or fetching weights: not a reason to restart); unhealthy on SETUP_FAILED,
// any other answer, a non-200 status, or no answer within the timeout.
import http from 'node:http';

const HEALTHY = new Set(['READY', 'BUSY', 'STARTING']);
const port = Number(process.env.PORT || 5000);
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS || 4000);

function done(ok, why) {
  (ok ? process.stdout : process.stderr).write(`${why}\n`);
  process.exit(ok ? 0 : 1);
}

const req = http.get({ host: '127.0.0.1', port, path: '/health-check', timeout: timeoutMs }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk) => (body += chunk));
  res.on('end', () => {
    if (res.statusCode !== 200) return done(false, `health-check answered HTTP ${res.statusCode}`);
    let status;
    try {
      status = JSON.parse(body).status;
    } catch {
      return done(false, 'health-check answered something that is not JSON');
    }
    done(HEALTHY.has(status), `status ${status}`);
  });
});
req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
req.on('error', (err) => done(false, `health-check failed: ${err.message}`));
