// The case timer: counts up from the server's figure; running over is shown, never enforced.
const timer = document.querySelector("[data-timer]");
if (timer) {
  const limit = Number(timer.dataset.limit);
  const start = Date.now() - Number(timer.dataset.elapsed) * 1000;
  const running = timer.dataset.running === "true";
  const shown = timer.querySelector("[data-timer-text]");
  const over = timer.querySelector("[data-timer-over]");
  const clock = (seconds) =>
    `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  const draw = () => {
    const seconds = running
      ? Math.floor((Date.now() - start) / 1000)
      : Number(timer.dataset.elapsed);
    shown.textContent = `${clock(seconds)} / ${clock(limit)}`;
    const isOver = seconds > limit;
    timer.classList.toggle("over", isOver);
    over.hidden = !isOver;
  };
  draw();
  if (running) setInterval(draw, 1000);
}
