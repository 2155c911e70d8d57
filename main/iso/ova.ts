// OVF 1.0 descriptor and OVA packaging for the installer variant: the installer disk (streamOptimized
// VMDK of the hybrid ISO) boots first, a 50 GB empty target disk receives the installation, and the
// VM declares the Palette seed's minimum hardware (2 vCPUs, 4 GB RAM). An OVA is a tar whose first
// member is the .ovf; a .mf manifest with SHA-256 lines lets VMware check the members.
export const OVA_CPUS = 2;
export const OVA_MEMORY_MB = 4096;
export const OVA_TARGET_DISK_GB = 50;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface OvfInput {
  name: string;
  vmdkFile: string;
  vmdkSize: number;
  /** Capacity of the installer disk in bytes (the raw image size). */
  installerCapacity: number;
  annotation?: string;
}

export function ovfDescriptor(i: OvfInput): string {
  const n = esc(i.name);
  const item = (fields: Record<string, string | number>) =>
    `      <Item>\n${Object.entries(fields)
      .map(([k, v]) => `        <rasd:${k}>${esc(String(v))}</rasd:${k}>`)
      .join('\n')}\n      </Item>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:vmw="http://www.vmware.com/schema/ovf" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ovf:version="1.0">
  <References>
    <File ovf:id="file1" ovf:href="${esc(i.vmdkFile)}" ovf:size="${i.vmdkSize}"/>
  </References>
  <DiskSection>
    <Info>Virtual disks: the installer (with baked user-data) and an empty installation target</Info>
    <Disk ovf:diskId="installer" ovf:fileRef="file1" ovf:capacity="${i.installerCapacity}" ovf:capacityAllocationUnits="byte" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
    <Disk ovf:diskId="target" ovf:capacity="${OVA_TARGET_DISK_GB}" ovf:capacityAllocationUnits="byte * 2^30" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <NetworkSection>
    <Info>Logical networks</Info>
    <Network ovf:name="VM Network">
      <Description>The network the edge host registers through</Description>
    </Network>
  </NetworkSection>
  <VirtualSystem ovf:id="${n}">
    <Info>Palette Edge installer (Kairos) with baked user-data</Info>
    <Name>${n}</Name>
    <AnnotationSection>
      <Info>Built by Edgebench</Info>
      <Annotation>${esc(i.annotation ?? 'Palette Edge installer variant built by Edgebench')}</Annotation>
    </AnnotationSection>
    <OperatingSystemSection ovf:id="101" vmw:osType="other5xLinux64Guest">
      <Info>Guest operating system</Info>
      <Description>Kairos (Linux, 64-bit)</Description>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>${OVA_CPUS} vCPUs, ${OVA_MEMORY_MB} MB RAM, installer disk first, ${OVA_TARGET_DISK_GB} GB target disk</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>${n}</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>vmx-14</vssd:VirtualSystemType>
      </System>
${item({ AllocationUnits: 'hertz * 10^6', Description: 'Number of virtual CPUs', ElementName: `${OVA_CPUS} virtual CPU(s)`, InstanceID: 1, ResourceType: 3, VirtualQuantity: OVA_CPUS })}
${item({ AllocationUnits: 'byte * 2^20', Description: 'Memory size', ElementName: `${OVA_MEMORY_MB}MB of memory`, InstanceID: 2, ResourceType: 4, VirtualQuantity: OVA_MEMORY_MB })}
${item({ Address: 0, Description: 'SCSI controller', ElementName: 'SCSI controller 0', InstanceID: 3, ResourceSubType: 'lsilogic', ResourceType: 6 })}
${item({ AddressOnParent: 0, Description: 'Installer disk (boots first)', ElementName: 'Hard disk 1', HostResource: 'ovf:/disk/installer', InstanceID: 4, Parent: 3, ResourceType: 17 })}
${item({ AddressOnParent: 1, Description: 'Installation target disk', ElementName: 'Hard disk 2', HostResource: 'ovf:/disk/target', InstanceID: 5, Parent: 3, ResourceType: 17 })}
${item({ AddressOnParent: 7, AutomaticAllocation: 'true', Connection: 'VM Network', Description: 'VMXNET3 ethernet adapter', ElementName: 'Network adapter 1', InstanceID: 6, ResourceSubType: 'VmxNet3', ResourceType: 10 })}
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`;
}

export function manifest(entries: Array<{ name: string; sha256: string }>): string {
  return entries.map((e) => `SHA256(${e.name})= ${e.sha256}\n`).join('');
}
