// Register screen. Owned by its capability.
import { Section } from '../ui/components';

export function RegisterScreen() {
  return (
    <Section title="Register">
      <p>Not built yet.</p>
    </Section>
  );
}
