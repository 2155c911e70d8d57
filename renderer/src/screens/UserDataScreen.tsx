// The user-data wizard: Palette connection, site network, users and SSH keys, advanced (proxies,
// CA certificates, raw YAML), with a live YAML preview, inline errors at their fields, file
// import and profiles.
import { useEffect, useState } from 'react';
import { ErrorBox } from '../ui/components';
import {
  AdvancedSection,
  ConnectionSection,
  NetworkSection,
  STEP_FIELDS,
  UsersSection,
} from './userdata/FormSections';
import { PreviewPane } from './userdata/PreviewPane';
import { ProfileBar } from './userdata/ProfileBar';
import { fieldId, NEW_DOCUMENT, useUserDataEditor } from './userdata/useUserDataEditor';
import { fieldForPath } from '../../../shared/userdata/form';
import './userdata/userdata.css';

const STEPS = [
  ['ud-step-connection', 'Palette connection'],
  ['ud-step-network', 'Site network'],
  ['ud-step-users', 'Users & SSH keys'],
  ['ud-step-advanced', 'Advanced'],
] as const;

export function UserDataScreen() {
  const ed = useUserDataEditor();
  const [raw, setRaw] = useState(ed.text);
  const [rawFocused, setRawFocused] = useState(false);
  // The raw editor follows the document unless the user is typing in it.
  useEffect(() => {
    if (!rawFocused) setRaw(ed.text);
  }, [ed.text, rawFocused]);

  const errorsIn = (step: string) =>
    Object.entries(ed.fieldMessages).filter(
      ([k, m]) => !m.startsWith('Warning') && STEP_FIELDS[step].some((p) => k === p || k.startsWith(p + '.')),
    ).length;

  const rawEditor = (
    <div className="field ud-raw">
      <label htmlFor="ud-raw">Raw YAML (everything, including keys the form does not show)</label>
      <textarea
        id="ud-raw"
        spellCheck={false}
        value={raw}
        onFocus={() => setRawFocused(true)}
        onBlur={() => setRawFocused(false)}
        onChange={(e) => {
          setRaw(e.target.value);
          ed.setText(e.target.value);
        }}
      />
    </div>
  );

  return (
    <div className="ud-screen">
      <header className="panel-head">
        <h1 className="ud-title" style={{ fontSize: 18, margin: 0 }}>
          User-data
        </h1>
        <button type="button" id="ud-new" onClick={() => ed.setText(NEW_DOCUMENT, true)}>
          New document
        </button>
      </header>
      <ProfileBar text={ed.text} onLoad={(t) => ed.setText(t, true)} />
      <ErrorBox error={ed.error} onDismiss={() => ed.setError(undefined)} />
      <nav aria-label="Wizard steps">
        <ol className="ud-steps">
          {STEPS.map(([id, label]) => (
            <li key={id}>
              <a
                href={`#userdata`}
                className={errorsIn(id) ? 'has-errors' : ''}
                onClick={(e) => {
                  e.preventDefault();
                  document.getElementById(id)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
                  (
                    document
                      .getElementById(id)
                      ?.querySelector('input, select, textarea') as HTMLElement | null
                  )?.focus();
                }}
              >
                {label}
                {errorsIn(id) ? ` (${errorsIn(id)})` : ''}
              </a>
            </li>
          ))}
        </ol>
      </nav>
      <div className="ud-layout">
        <div className="ud-form">
          <ConnectionSection form={ed.form} onChange={ed.setForm} messages={ed.fieldMessages} />
          <NetworkSection form={ed.form} onChange={ed.setForm} messages={ed.fieldMessages} />
          <UsersSection form={ed.form} onChange={ed.setForm} messages={ed.fieldMessages} />
          <AdvancedSection form={ed.form} onChange={ed.setForm} messages={ed.fieldMessages} raw={rawEditor} />
        </div>
        <PreviewPane
          text={ed.text}
          report={ed.report}
          pending={ed.pending}
          fieldIdFor={(p) => {
            const f = fieldForPath(p, ed.form);
            return f ? fieldId(f) : undefined;
          }}
        />
      </div>
    </div>
  );
}
