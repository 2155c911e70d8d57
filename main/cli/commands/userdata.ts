// CLI commands of the userdata capability. See docs/ and README for the user-facing description.
import type { Command } from 'commander';
import type { CliContext } from '../context';

export function registerUserdataCommands(program: Command, cli: CliContext): void {
  void program;
  void cli;
}
