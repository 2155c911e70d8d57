// UserData screen. Owned by its capability.
import { Section } from '../ui/components';

export function UserDataScreen() {
  return (
    <Section title="UserData">
      <p>Not built yet.</p>
    </Section>
  );
}
