// Runs the number/date formatting self-test in a real browser (used by the Chromium test
// and handy for a support engineer checking a client's browser).
import { runFormatSelfTest } from './format.selftest.js';

const failures = runFormatSelfTest();
const out = document.getElementById('resultado');
out.dataset.fallos = String(failures.length);
out.textContent = failures.length === 0 ? 'OK' : JSON.stringify(failures, null, 2);
document.body.dataset.state = 'ready';
