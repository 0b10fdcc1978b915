import { ariError, ok, type RestResult } from './http-io.js';

/** One loaded module as `GET /asterisk/modules/{moduleName}` shows it (swagger model `Module`, asterisk.json). */
interface ModuleInfo {
  name: string;
  description: string;
  use_count: number;
  status: 'Running';
  support_level: 'core' | 'extended';
}

/** The modules a dialer cares about, as an Asterisk 20 with them loaded lists them (`module show`). */
const MODULES: readonly ModuleInfo[] = [
  { name: 'app_amd.so', description: 'Answering Machine Detection Application', use_count: 0, status: 'Running', support_level: 'extended' },
  { name: 'app_stasis.so', description: 'Stasis dialplan application', use_count: 0, status: 'Running', support_level: 'core' },
  { name: 'res_ari.so', description: 'Asterisk RESTful Interface', use_count: 0, status: 'Running', support_level: 'core' },
  { name: 'res_ari_asterisk.so', description: 'RESTful API module - Asterisk resources', use_count: 0, status: 'Running', support_level: 'core' },
  { name: 'res_ari_channels.so', description: 'RESTful API module - Channel resources', use_count: 0, status: 'Running', support_level: 'core' },
  { name: 'res_stasis.so', description: 'Stasis application support', use_count: 0, status: 'Running', support_level: 'core' },
  { name: 'chan_pjsip.so', description: 'PJSIP Channel Driver', use_count: 0, status: 'Running', support_level: 'core' },
];

/** The simulated module list, minus the ones a test says are not loaded (`AriSimOptions.missingModules`). */
export class SimModules {
  private readonly missing: ReadonlySet<string>;

  constructor(missingModules: readonly string[]) {
    this.missing = new Set(missingModules.map(baseName));
  }

  loaded(name: string): boolean {
    return this.find(name) !== undefined;
  }

  list(): RestResult {
    return ok(MODULES.filter((m) => !this.missing.has(baseName(m.name))));
  }

  /**
   * res/ari/resource_asterisk.c ast_ari_asterisk_get_module: ast_module_check() finds the module by its base name,
   * case-insensitively and with or without `.so` (main/loader.c resource_name_match), else 404; the details are then
   * looked up by an exact strcmp on the resource name (`app_amd.so`), so `app_amd` alone answers 409.
   */
  get(name: string): RestResult {
    const found = this.find(name);
    if (!found) return ariError(404, 'Module could not be found in running modules');
    if (found.name !== name) return ariError(409, 'Module information could not be retrieved');
    return ok(found);
  }

  private find(name: string): ModuleInfo | undefined {
    const base = baseName(name);
    if (this.missing.has(base)) return undefined;
    return MODULES.find((m) => baseName(m.name) === base);
  }
}

const baseName = (name: string): string => name.toLowerCase().replace(/\.so$/, '');
