#!/bin/sh
# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

# /init (PID 1) of the ironic-multiarch IPA ramdisk: mounts the pseudo file
# systems, starts udev, loads the virtio drivers, configures the boot NIC
# with DHCP and runs ironic-python-agent, restarting it when it exits.
# After a rescue it creates the "rescue" user and keeps running.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
RESCUE_FILE=/etc/ipa-rescue-config/ipa-rescue-password

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm /run /tmp
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp

# No init system: poweroff and reboot go straight through sysrq (IPA's
# standby extension runs them). QEMU's virt machine makes lscpu print
# "Socket(s): -", which IPA cannot parse: report one socket instead.
mkdir -p /usr/local/sbin /usr/local/bin /etc/ipa-rescue-config /var/log
printf '#!/bin/sh\nsync\necho o > /proc/sysrq-trigger\n' \
    > /usr/local/sbin/poweroff
printf '#!/bin/sh\nsync\necho b > /proc/sysrq-trigger\n' \
    > /usr/local/sbin/reboot
cat > /usr/local/bin/lscpu <<'LSCPU'
#!/bin/sh
out=$(/usr/bin/lscpu "$@") || exit $?
printf '%s\n' "$out" | sed -e 's/^\(Socket(s):[[:space:]]*\)-$/\11/'
LSCPU
chmod 755 /usr/local/sbin/poweroff /usr/local/sbin/reboot /usr/local/bin/lscpu
echo ironic-multiarch-ipa > /etc/hostname

say() {
    echo "ironic-multiarch-ipa: $*" > /dev/console
}

# Prints the MAC address a BOOTIF value names, lower case and colon
# separated ("01-aa-bb-cc-dd-ee-ff" from pxelinux, "aa:bb:cc:dd:ee:ff" from
# iPXE); prints nothing for anything else.
bootif_mac() {
    _v=$(printf '%s' "$1" | tr 'ABCDEF' 'abcdef')
    case "$_v" in
        01-??-??-??-??-??-??) _v=$(printf '%s' "${_v#01-}" | tr '-' ':') ;;
        ??-??-??-??-??-??) _v=$(printf '%s' "$_v" | tr '-' ':') ;;
        ??:??:??:??:??:??) ;;
        *) return 0 ;;
    esac
    case "$_v" in
        *[!0-9a-f:]*) return 0 ;;
    esac
    printf '%s\n' "$_v"
}

set -f
consoles=""
bootif=""
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        console=*) consoles="${consoles:+$consoles,}${arg#console=}" ;;
        BOOTIF=*) bootif="${arg#BOOTIF=}" ;;
    esac
done
set +f
mac=$(bootif_mac "$bootif")
say "arch=$(uname -m) consoles=${consoles} bootif=${mac:-none}"

/lib/systemd/systemd-udevd --daemon --resolve-names=never
udevadm trigger --type=subsystems --action=add
udevadm trigger --type=devices --action=add
modprobe -a virtio_pci virtio_net virtio_blk virtio_scsi virtio_rng \
    efivarfs 2>/dev/null
udevadm settle --timeout=30
if [ -d /sys/firmware/efi ]; then
    mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
fi
ip link set lo up
hostname ironic-multiarch-ipa 2>/dev/null

# Prints the NIC to configure: the one with the BOOTIF MAC, else the first
# one (not lo) with a carrier.
find_nic() {
    for _d in /sys/class/net/*; do
        _n=${_d##*/}
        [ "$_n" = lo ] && continue
        if [ -n "$mac" ]; then
            [ "$(cat "$_d/address")" = "$mac" ] && { echo "$_n"; return; }
        else
            ip link set "$_n" up 2>/dev/null
            [ "$(cat "$_d/carrier" 2>/dev/null)" = 1 ] && {
                echo "$_n"; return; }
        fi
    done
}

nic=""
for _try in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    nic=$(find_nic)
    [ -n "$nic" ] && break
    sleep 1
done
if [ -z "$nic" ] && [ -n "$mac" ]; then
    say "no NIC with MAC $mac, using the first one with a carrier"
    mac=""
    nic=$(find_nic)
fi

cat > /run/udhcpc.sh <<'EOF'
#!/bin/sh
case "$1" in
    deconfig)
        ip addr flush dev "$interface"
        ip link set "$interface" up
        ;;
    bound|renew)
        ip addr flush dev "$interface"
        ip addr add "$ip/${mask:-24}" dev "$interface"
        for r in $router; do
            ip route replace default via "$r" dev "$interface"
            break
        done
        : > /etc/resolv.conf
        [ -n "$domain" ] && echo "search $domain" >> /etc/resolv.conf
        for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
        ;;
esac
exit 0
EOF
chmod 755 /run/udhcpc.sh

addr=""
while [ -n "$nic" ]; do
    ip link set "$nic" up
    if busybox udhcpc -i "$nic" -n -q -t 10 -T 2 -s /run/udhcpc.sh \
            > /dev/null 2>&1; then
        set -- $(ip -4 -o addr show dev "$nic")
        addr=${4%/*}
        break
    fi
    say "DHCP failed on $nic, retrying"
    sleep 5
done
say "nic=${nic:-none} ip=${addr:-none}"

while :; do
    say "starting ironic-python-agent"
    /opt/ipa/bin/ironic-python-agent 2>&1 \
        | tee -a /var/log/ironic-python-agent.log > /dev/console
    if [ -s "$RESCUE_FILE" ]; then
        hash=$(cat "$RESCUE_FILE")
        if id rescue > /dev/null 2>&1; then
            usermod -p "$hash" rescue
        else
            useradd -m -s /bin/bash -p "$hash" rescue
        fi
        shadow=$(grep '^rescue:' /etc/shadow | cut -d: -f2)
        say "rescue user=rescue hash=$shadow"
        while :; do
            agetty -L 115200 console vt100 || sleep 10
        done
    fi
    say "ironic-python-agent exited, restarting it in 5 seconds"
    sleep 5
done
