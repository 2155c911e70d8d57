// Media screen. Owned by its capability.
import { Section } from '../ui/components';

export function MediaScreen() {
  return (
    <Section title="Media">
      <p>Not built yet.</p>
    </Section>
  );
}
