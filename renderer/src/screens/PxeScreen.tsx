// Pxe screen. Owned by its capability.
import { Section } from '../ui/components';

export function PxeScreen() {
  return (
    <Section title="Pxe">
      <p>Not built yet.</p>
    </Section>
  );
}
