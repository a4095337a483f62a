#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# deploy/: the KubeVirt and Service manifests name what the image really holds.
# The default decks are built as an OCI image; from it this reads the disk's
# path in the layer, and from the disk's grub.cfg the HTTP port on the kernel
# command line; the manifests must boot that path, open that port (the VM's
# interface and the Service's target), select the pool's own label, and give
# the VM memory for the image (its ELF and its store module, plus 16 MiB for
# page tables, buffers and heap). Then the same with --append port=8080,
# against a copy of the manifests changed to match, and unchanged ones must fail.
. "$(dirname "$0")/../lib.sh"
for t in qemu-img mtype python3; do
	command -v "$t" >/dev/null || { skip "deploy: $t not installed"; exit 0; }
done
python3 -c 'import yaml' 2>/dev/null || { skip "deploy: python3-yaml not installed"; exit 0; }
if [ ! -f "$ROOT/build/kernel/unideck.elf" ] || ! command -v grub-mkimage >/dev/null; then
	skip "deploy: needs build/kernel/unideck.elf and GRUB (make; scripts/deps.sh)"
	exit 0
fi
export MTOOLS_SKIP_CHECK=1

# facts OCI_TAR: "path port elf_bytes" of the image.
facts() {
	local dir=$TMP/facts
	rm -rf "$dir" && mkdir -p "$dir/oci"
	tar -C "$dir/oci" -xf "$1" || return 1
	python3 - "$dir/oci" "$dir" <<'PY' || return 1
import json, sys, tarfile, os
oci, out = sys.argv[1:3]
idx = json.load(open(os.path.join(oci, 'index.json')))
man = json.load(open(os.path.join(oci, 'blobs/sha256', idx['manifests'][0]['digest'][7:])))
layer = os.path.join(oci, 'blobs/sha256', man['layers'][0]['digest'][7:])
files = [m for m in tarfile.open(layer).getmembers() if m.isfile()]
assert len(files) == 1, 'one file in the layer'
tarfile.open(layer).extract(files[0], out)
print('/' + files[0].name, file=open(os.path.join(out, 'path'), 'w'))
PY
	local path
	path=$(cat "$dir/path")
	qemu-img convert -f qcow2 -O raw "$dir$path" "$dir/disk.raw" || return 1
	mtype -i "$dir/disk.raw@@2M" ::/boot/grub/grub.cfg >"$dir/grub.cfg" || return 1
	local args port
	args=$(sed -n 's|^[[:space:]]*multiboot2 /unideck.elf||p' "$dir/grub.cfg")
	port=$(printf '%s\n' $args | sed -n 's/^port=//p' | tail -n 1)
	local elf
	elf=$(mdir -i "$dir/disk.raw@@2M" -b ::/unideck.elf >/dev/null &&
		mcopy -n -i "$dir/disk.raw@@2M" ::/unideck.elf "$dir/k.elf" &&
		mcopy -n -i "$dir/disk.raw@@2M" ::/unideck.store "$dir/k.store" &&
		echo $(($(stat -c %s "$dir/k.elf") + $(stat -c %s "$dir/k.store"))))
	echo "$path ${port:-80} $elf"
}

# verify POOL SERVICE PATH PORT ELF: prints what disagrees, nothing when all agree.
verify() {
	python3 - "$@" <<'PY'
import sys, yaml
pool, svc, path, port, elf = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
p = yaml.safe_load(open(pool)); s = yaml.safe_load(open(svc))
bad = []
if p.get('kind') != 'VirtualMachinePool' or not p['apiVersion'].startswith('pool.kubevirt.io/'):
    bad.append('not a KubeVirt VirtualMachinePool')
vm = p['spec']['virtualMachineTemplate']['spec']['template']
dom = vm['spec']['domain']
vols = {v['name']: v for v in vm['spec']['volumes']}
disks = dom['devices']['disks']
cds = [vols[d['name']]['containerDisk'] for d in disks if 'containerDisk' in vols.get(d['name'], {})]
if len(cds) != 1 or cds[0].get('path') != path:
    bad.append('containerDisk path %s, the image has %s' % ([c.get('path') for c in cds], path))
if any(d.get('disk', {}).get('bus') not in ('virtio', 'sata', 'scsi') for d in disks):
    bad.append('a disk bus the firmware may not boot')
ports = [q['port'] for i in dom['devices']['interfaces'] for q in i.get('ports', [])]
if port not in ports:
    bad.append('the VM opens %s, the image serves %d' % (ports, port))
if any(i.get('model', 'virtio') != 'virtio' for i in dom['devices']['interfaces']):
    bad.append('a NIC that is not virtio (the only driver)')
def mib(v):
    v = str(v)
    for suf, k in (('Gi', 1024), ('Mi', 1), ('G', 1e9 / 2**20), ('M', 1e6 / 2**20)):
        if v.endswith(suf):
            return float(v[:-len(suf)]) * k
    return float(v) / 2**20
need = elf / 2**20 + 16
mem = mib(dom.get('memory', {}).get('guest') or dom['resources']['requests']['memory'])
if mem < need:
    bad.append('%.0f MiB of memory, the image needs %.0f' % (mem, need))
labels = vm['metadata']['labels']
sel = s['spec']['selector']
if any(labels.get(k) != v for k, v in sel.items()):
    bad.append('the Service selects %s, the VMs carry %s' % (sel, labels))
tp = [q.get('targetPort', q['port']) for q in s['spec']['ports']]
if port not in tp:
    bad.append('the Service targets %s, the image serves %d' % (tp, port))
print('\n'.join(bad))
PY
}

"$UNIDECK" build "$ROOT/decks" -o "$TMP/decks.oci.tar" --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "build decks.oci.tar"; sed 's/^/#   /' "$TMP/build.log"; exit 1; }
read -r path port elf < <(facts "$TMP/decks.oci.tar")
expect_match "the OCI image's facts: disk path, port, ELF size" '^/disk/.*qcow2 80 [0-9]+$' \
	"$path $port $elf"
out=$(verify "$ROOT/deploy/kubevirt-vmpool.yaml" "$ROOT/deploy/service.yaml" "$path" "$port" "$elf")
expect_eq "deploy/ names the image's disk path, port and enough memory" "" "$out"

"$UNIDECK" build "$ROOT/decks" -o "$TMP/p.oci.tar" --no-pdf --append port=8080 >"$TMP/build.log" 2>&1 ||
	{ notok "build with port=8080"; exit 1; }
read -r path port elf < <(facts "$TMP/p.oci.tar")
expect_eq "--append port=8080 is what the disk's grub.cfg says" 8080 "$port"
out=$(verify "$ROOT/deploy/kubevirt-vmpool.yaml" "$ROOT/deploy/service.yaml" "$path" "$port" "$elf")
expect_match "the unchanged manifests do not fit that image (the check can fail)" \
	'the VM opens \[80\], the image serves 8080' "$out"
sed 's/port: 80$/port: 8080/' "$ROOT/deploy/kubevirt-vmpool.yaml" >"$TMP/pool.yaml"
sed 's/targetPort: 80$/targetPort: 8080/' "$ROOT/deploy/service.yaml" >"$TMP/svc.yaml"
out=$(verify "$TMP/pool.yaml" "$TMP/svc.yaml" "$path" "$port" "$elf")
expect_eq "manifests changed to port 8080 fit it" "" "$out"
sed 's/guest: 128Mi/guest: 8Mi/; s/memory: 128Mi/memory: 8Mi/' "$TMP/pool.yaml" >"$TMP/small.yaml"
out=$(verify "$TMP/small.yaml" "$TMP/svc.yaml" "$path" "$port" "$elf")
expect_match "8 MiB of memory is refused for it" 'MiB of memory, the image needs' "$out"
exit $((FAILS > 0))
