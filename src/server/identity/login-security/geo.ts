import net from 'node:net';

/** Where an IP address is, roughly: geoip-lite's city (or country) and the radius it is good to. */
export interface Place {
  city: string;
  country: string;
  lat: number;
  lon: number;
  /** geoip-lite's accuracy radius, km. */
  radiusKm: number;
}

export interface GeoLocator {
  locate(ip: string): Promise<Place | null>;
  /** True once the geoip database has been loaded in this process. */
  readonly loaded: boolean;
}

// Addresses that are never in a geo database: private, loopback, link-local, CGNAT, documentation,
// benchmarking, multicast, reserved. Checking them first spares loading the ~150 MB database.
const NOT_ROUTED = new net.BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_ROUTED.addSubnet(address, prefix, 'ipv4');
}
for (const [address, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['2001:db8::', 32],
  ['ff00::', 8],
] as const) {
  NOT_ROUTED.addSubnet(address, prefix, 'ipv6');
}

/** An IPv4-mapped IPv6 address as its IPv4. */
export function plainIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

export function isRoutable(ip: string): boolean {
  const address = plainIp(ip);
  const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
  return family !== undefined && !NOT_ROUTED.check(address, family);
}

type Lookup = (ip: string) => { country: string; city: string; ll: [number, number]; area: number } | null;

/**
 * geoip-lite, loaded once and only when a routable address first needs it (it reads its data
 * files synchronously: ~0.2–0.5 s and ~150 MB of memory). `enabled: false` (GEOIP_LOOKUP=false)
 * never loads it: every place is unknown and the impossible-travel check is skipped.
 */
export function makeGeoLocator({ enabled }: { enabled: boolean }): GeoLocator {
  let lookup: Promise<Lookup> | undefined;
  let loaded = false;
  const load = () =>
    (lookup ??= import('geoip-lite').then((module) => {
      loaded = true;
      const geoip = (module as unknown as { default: { lookup: Lookup } }).default;
      return (ip: string) => geoip.lookup(ip);
    }));
  return {
    get loaded() {
      return loaded;
    },
    async locate(ip: string): Promise<Place | null> {
      if (!enabled || !isRoutable(ip)) return null;
      let found: ReturnType<Lookup>;
      try {
        found = (await load())(plainIp(ip));
      } catch {
        return null; // an unreadable geo database costs the place, never the sign-in
      }
      if (!found || !found.ll || (!found.country && !found.city)) return null;
      return { city: found.city ?? '', country: found.country ?? '', lat: found.ll[0], lon: found.ll[1], radiusKm: found.area ?? 1000 };
    },
  };
}

/** Great-circle distance in km (haversine). */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
