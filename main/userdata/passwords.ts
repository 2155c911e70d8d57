// Plain-text `passwd` values are hashed (SHA-512 crypt) whenever user-data is written: render,
// export, save as profile. Already-hashed values ($1$, $5$, $6$, $y$...) stay as they are.
import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import { isPlainPassword } from '../../shared/userdata/rules';
import { editUserData } from '../../shared/userdata/yaml-edit';
import { sha512Crypt } from './sha512-crypt';

/** Hash every plain password in the document in place; returns how many were hashed. */
export function hashPasswordsInDoc(doc: Document): number {
  let count = 0;
  const hashUser = (user: unknown) => {
    if (!isMap(user)) return;
    const pw = user.get('passwd', true) as Node | undefined;
    if (isScalar(pw) && isPlainPassword(pw.value)) {
      pw.value = sha512Crypt(pw.value as string);
      pw.type = 'QUOTE_DOUBLE';
      count++;
    }
  };
  const stages = doc.get('stages', true);
  if (isMap(stages))
    for (const stage of stages.items) {
      if (!isSeq(stage.value)) continue;
      for (const step of stage.value.items) {
        const users = isMap(step) ? step.get('users', true) : undefined;
        if (isMap(users)) for (const u of users.items) hashUser(u.value);
      }
    }
  const top = doc.get('users', true);
  if (isSeq(top)) top.items.forEach(hashUser);
  const siteUsers = doc.getIn(['stylus', 'site', 'users'], true);
  if (isSeq(siteUsers)) siteUsers.items.forEach(hashUser);
  else if (isMap(siteUsers)) for (const u of siteUsers.items) hashUser(u.value);
  return count;
}

export function hashPlainPasswords(text: string): { text: string; hashed: number } {
  let hashed = 0;
  const out = editUserData(text, (doc) => {
    hashed = hashPasswordsInDoc(doc);
  });
  return { text: hashed ? out : text, hashed };
}
