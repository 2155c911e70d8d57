// Handlers for the userdata part of the contract (shared/contract/userdata.ts): thin wrappers
// over main/userdata and shared/userdata.
import type { userdataCommands } from '../../shared/contract/userdata';
import { AppError } from '../../shared/errors';
import { fromForm, toForm } from '../../shared/userdata/form';
import { convertFlatNetwork } from '../../shared/userdata/network-convert';
import { analyzeUserData } from '../../shared/userdata/validate';
import { hashPlainPasswords } from '../userdata/passwords';
import { renderProfileText } from '../userdata/render';
import { getInstallerEnv, getProfile, importInstallerEnvTexts, saveProfile } from '../userdata/profiles';
import type { HandlerMap } from './types';

const report = (text: string) => analyzeUserData(text).report;

export const userdataHandlers: HandlerMap<keyof typeof userdataCommands> = {
  'userdata.validate': async (req) => report(req.text),
  'userdata.fromForm': async (req) => {
    const text = fromForm(req.text, req.form);
    return { text, report: report(text) };
  },
  'userdata.toForm': async (req) => ({ form: toForm(req.text), report: report(req.text) }),
  'userdata.convertNetwork': async (req) => {
    const r = convertFlatNetwork(req.text, req.nic);
    return { ...r, report: report(r.text) };
  },
  'userdata.render': async (req, ctx) => {
    const profile = await getProfile(ctx.app.store.profiles, req.profile);
    let host: Parameters<typeof renderProfileText>[1];
    if (req.hostId) {
      host = await ctx.app.store.hosts.get(req.hostId);
      if (!host) throw new AppError('ENOTFOUND', `no host with ID ${req.hostId}`);
    }
    const text = renderProfileText(profile.userData, host, { keepPlainPasswords: req.keepPlainPasswords });
    return { text, report: report(text) };
  },
  'userdata.hashPasswords': async (req) => hashPlainPasswords(req.text),
  'profiles.list': async (_req, ctx) => {
    const list = await ctx.app.store.profiles.list();
    const profiles = await Promise.all(
      list.map(async ({ userData, ...p }) => {
        const r = report(userData);
        return {
          ...p,
          valid: r.valid,
          errors: r.errors.length,
          warnings: r.warnings.length,
          hasInstallerEnv: !!(await getInstallerEnv(ctx.app.store.settings, p.name)),
        };
      }),
    );
    return { profiles };
  },
  'profiles.get': async (req, ctx) => {
    const profile = await getProfile(ctx.app.store.profiles, req.name);
    const installerEnv = await getInstallerEnv(ctx.app.store.settings, req.name);
    return { profile, report: report(profile.userData), ...(installerEnv ? { installerEnv } : {}) };
  },
  'profiles.save': async (req, ctx) => {
    const r = await saveProfile(ctx.app.store.profiles, req);
    ctx.app.bus.emit('profiles.changed', { name: req.name });
    return { profile: r.profile, report: report(r.profile.userData), hashed: r.hashed, replaced: r.replaced };
  },
  'profiles.delete': async (req, ctx) => {
    const deleted = await ctx.app.store.profiles.delete(req.name);
    if (deleted) {
      await ctx.app.store.settings.delete(`installerEnv:${req.name}`);
      ctx.app.bus.emit('profiles.changed', { name: req.name });
    }
    return { deleted };
  },
  'installerEnv.import': async (req, ctx) => {
    const r = await importInstallerEnvTexts(ctx.app.store.profiles, ctx.app.store.settings, req);
    ctx.app.bus.emit('profiles.changed', { name: req.name });
    return { profile: r.profile, report: report(r.profile.userData), env: r.env };
  },
};
