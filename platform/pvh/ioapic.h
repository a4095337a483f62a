/* SPDX-License-Identifier: MIT */
/* Routing a device's interrupt line (a GSI) through the I/O APIC to a vector.
 *
 * The I/O APICs and their GSI bases come from the ACPI MADT; without ACPI the
 * usual ones are assumed: 0xfec00000 for GSIs 0-23 and, when it answers,
 * 0xfec10000 for 24-47 (QEMU microvm's second I/O APIC). Each is mapped uncached
 * on first use. ioapic_route() programs one redirection entry (82093AA data sheet
 * 3.2.4): fixed delivery, physical destination (our LAPIC ID), the given trigger
 * mode and polarity, unmasked. False, with a console message, when no I/O APIC
 * serves the GSI. Boot only. */
#ifndef UD_PVH_IOAPIC_H
#define UD_PVH_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

bool ioapic_route(uint32_t gsi, uint8_t vector, bool level, bool active_low);

#endif
