// Entry of the privileged helper process (raw disk writes, low ports). Built as
// dist/main/helper.cjs. Owned by the flash capability.
process.stderr.write('edgebench helper: not implemented yet\n');
process.exitCode = 3;
