// The wizard's state: the YAML text is the source of truth; the form is a view of it. Form edits
// are merged into the text by `userdata.fromForm` (debounced); raw YAML edits refresh the form by
// `userdata.toForm`. Stale answers are dropped.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { UserDataReport } from '../../../../shared/userdata/diagnostics';
import { emptyForm, fieldForPath, type WizardForm } from '../../../../shared/userdata/form';
import type { ErrorData } from '../../../../shared/errors';
import { getClient } from '../../client';
import { toErrorData } from '../../ui/hooks';

export const NEW_DOCUMENT = '#cloud-config\n';
const DEBOUNCE_MS = 250;

export function useUserDataEditor() {
  const [text, setTextState] = useState(NEW_DOCUMENT);
  const [form, setFormState] = useState<WizardForm>(emptyForm);
  const [report, setReport] = useState<UserDataReport | undefined>();
  const [error, setError] = useState<ErrorData | undefined>();
  const [pending, setPending] = useState(false);
  const textRef = useRef(text);
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const schedule = useCallback((fn: (mySeq: number) => Promise<void>) => {
    clearTimeout(timer.current);
    const mySeq = ++seq.current;
    setPending(true);
    timer.current = setTimeout(() => {
      fn(mySeq)
        .catch((e: unknown) => {
          if (mySeq === seq.current) setError(toErrorData(e));
        })
        .finally(() => {
          if (mySeq === seq.current) setPending(false);
        });
    }, DEBOUNCE_MS);
  }, []);

  /** A form edit from the user: merge into the current text. */
  const setForm = useCallback(
    (next: WizardForm) => {
      setFormState(next);
      schedule(async (mySeq) => {
        const r = await getClient().invoke('userdata.fromForm', { text: textRef.current, form: next });
        if (mySeq !== seq.current) return;
        textRef.current = r.text;
        setTextState(r.text);
        setReport(r.report);
        setError(undefined);
      });
    },
    [schedule],
  );

  /** A raw YAML edit, an imported file or a loaded profile: refresh the form from the text. */
  const setText = useCallback(
    (next: string, immediate = false) => {
      textRef.current = next;
      setTextState(next);
      const run = async (mySeq: number) => {
        const r = await getClient().invoke('userdata.toForm', { text: next });
        if (mySeq !== seq.current) return;
        // While the raw YAML does not parse, keep the form as it was instead of blanking it.
        if (!r.report.errors.some((e) => e.rule === 'yaml-syntax')) setFormState(r.form);
        setReport(r.report);
        setError(undefined);
      };
      if (immediate) {
        clearTimeout(timer.current);
        const mySeq = ++seq.current;
        setPending(true);
        void run(mySeq)
          .catch((e: unknown) => setError(toErrorData(e)))
          .finally(() => mySeq === seq.current && setPending(false));
      } else schedule(run);
    },
    [schedule],
  );

  useEffect(() => {
    setText(NEW_DOCUMENT, true);
    return () => clearTimeout(timer.current);
  }, [setText]);

  /** Inline messages per wizard field (errors first, then warnings). */
  const fieldMessages = useMemo(() => {
    const out: Record<string, string> = {};
    for (const d of [...(report?.errors ?? []), ...(report?.warnings ?? [])]) {
      const f = fieldForPath(d.path, form);
      if (f && !out[f]) out[f] = d.severity === 'warning' ? `Warning: ${d.message}` : d.message;
    }
    return out;
  }, [report, form]);

  return { text, form, report, error, pending, setForm, setText, fieldMessages, setError };
}

/** The DOM id of a wizard field ("network.gateway" -> "ud-network-gateway"). */
export const fieldId = (field: string) => `ud-${field.replace(/\./g, '-')}`;
