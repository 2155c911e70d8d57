// Userdata commands and events: validation, the wizard's form <-> YAML mapping, rendering per
// host, profiles (templates in the store) and Palette's .installer.env staging files.
import { z } from 'zod';
import { WizardForm } from '../userdata/form';
import { command, Empty, Id } from './define';

export const DiagnosticZ = z.object({
  severity: z.enum(['error', 'warning']),
  path: z.string(),
  line: z.number(),
  column: z.number(),
  message: z.string(),
  rule: z.string(),
});
export const UserDataReportZ = z.object({
  valid: z.boolean(),
  errors: z.array(DiagnosticZ),
  warnings: z.array(DiagnosticZ),
});

/** User-data texts are limited to 1 MiB (Kairos reads cloud-configs of about 1-2 MB). */
const UserDataText = z.string().max(1024 * 1024, 'user-data may be at most 1 MiB');
const ProfileName = z.string().min(1).max(64);

export const ProfileZ = z.object({
  name: z.string(),
  description: z.string(),
  userData: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const ProfileSummaryZ = ProfileZ.omit({ userData: true }).extend({
  valid: z.boolean(),
  errors: z.number(),
  warnings: z.number(),
  hasInstallerEnv: z.boolean(),
});
export const InstallerEnvZ = z.record(z.string(), z.string());

export const userdataCommands = {
  'userdata.validate': command(
    'Validate user-data text: every finding with line, column and key path',
    z.object({ text: UserDataText, fileName: z.string().optional() }),
    UserDataReportZ,
  ),
  'userdata.fromForm': command(
    "Merge the wizard's form into user-data text (comments and unknown keys survive) and validate it",
    z.object({ text: UserDataText, form: WizardForm }),
    z.object({ text: z.string(), report: UserDataReportZ }),
  ),
  'userdata.toForm': command(
    "Read the wizard's form from user-data text",
    z.object({ text: UserDataText }),
    z.object({ form: WizardForm, report: UserDataReportZ }),
  ),
  'userdata.convertNetwork': command(
    'Rewrite the old flat network form as interfaces.<nic>',
    z.object({ text: UserDataText, nic: z.string().min(1).max(15).optional() }),
    z.object({ text: z.string(), changed: z.boolean(), report: UserDataReportZ }),
  ),
  'userdata.render': command(
    "Render one host's user-data from a profile (placeholders, ID, static NIC, tags; passwords hashed)",
    z.object({ profile: ProfileName, hostId: Id.optional(), keepPlainPasswords: z.boolean().optional() }),
    z.object({ text: z.string(), report: UserDataReportZ }),
  ),
  'userdata.hashPasswords': command(
    'Hash plain-text passwd values (SHA-512 crypt) before the text is written anywhere',
    z.object({ text: UserDataText }),
    z.object({ text: z.string(), hashed: z.number() }),
  ),
  'profiles.list': command(
    'List user-data profiles',
    Empty,
    z.object({ profiles: z.array(ProfileSummaryZ) }),
  ),
  'profiles.get': command(
    'One profile with its user-data and recorded installer settings',
    z.object({ name: ProfileName }),
    z.object({ profile: ProfileZ, report: UserDataReportZ, installerEnv: InstallerEnvZ.optional() }),
  ),
  'profiles.save': command(
    'Save user-data as a profile (validated; plain passwords hashed unless kept on purpose)',
    z.object({
      name: ProfileName,
      description: z.string().max(500).optional(),
      userData: UserDataText,
      overwrite: z.boolean().optional(),
      keepPlainPasswords: z.boolean().optional(),
    }),
    z.object({ profile: ProfileZ, report: UserDataReportZ, hashed: z.number(), replaced: z.boolean() }),
  ),
  'profiles.delete': command(
    'Delete a profile',
    z.object({ name: ProfileName }),
    z.object({ deleted: z.boolean() }),
  ),
  'installerEnv.import': command(
    "Import Palette's staging files (.installer.env and its user-data) as a profile",
    z.object({
      envText: z.string().max(64 * 1024),
      userDataText: UserDataText,
      name: ProfileName,
      overwrite: z.boolean().optional(),
      allowInvalid: z.boolean().optional(),
    }),
    z.object({ profile: ProfileZ, report: UserDataReportZ, env: InstallerEnvZ }),
  ),
};

export const userdataEvents = {
  'profiles.changed': z.object({ name: z.string() }),
};
