// Staging screen. Owned by its capability.
import { Section } from '../ui/components';

export function StagingScreen() {
  return (
    <Section title="Staging">
      <p>Not built yet.</p>
    </Section>
  );
}
