// Flash screen. Owned by its capability.
import { Section } from '../ui/components';

export function FlashScreen() {
  return (
    <Section title="Flash">
      <p>Not built yet.</p>
    </Section>
  );
}
