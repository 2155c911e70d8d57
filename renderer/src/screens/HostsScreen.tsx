// Hosts screen. Owned by its capability.
import { Section } from '../ui/components';

export function HostsScreen() {
  return (
    <Section title="Hosts">
      <p>Not built yet.</p>
    </Section>
  );
}
