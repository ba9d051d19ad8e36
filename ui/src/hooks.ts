// Hooks shared by the forms and dialogs.
import { useState } from 'preact/hooks';

// Runs `action` (a save or sign-in) with a busy flag; a thrown error is kept
// in `error` for display and cleared when the next run starts.
export function useSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
