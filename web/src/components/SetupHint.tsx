/** A page's empty state with nothing stored: where to learn how to send data here, not a dead end. */
export function SetupHint() {
  return (
    <p data-testid="setup-hint">
      Nothing sent yet? <a href="/setup">Connect an app</a>: the set-up for each language with this instance's address,
      and a demo that fills every page.
    </p>
  );
}
