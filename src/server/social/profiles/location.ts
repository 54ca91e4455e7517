import { cellToLatLng, getResolution, greatCircleDistance, gridDisk, isValidCell, latLngToCell } from 'h3-js';
import { cityByCode } from '../../../common/social/cities.js';
import { bandFor, BAND_EDGES_KM, type DistanceBand } from '../../../common/social/profile.js';

/**
 * Location privacy (ADR 0014). The precise point is only an input: it is reduced to an H3 cell at
 * LOCATION_RESOLUTION and every answer given to anyone is a function of cells only. Distances are
 * great-circle distances between the two cells' centroids, put in bands. An attacker who moves their
 * own position only changes their own cell, so band answers reveal at most which cell the victim is
 * in — 36 km², ~7 km across at resolution 6 — never a point inside it.
 */
export const LOCATION_RESOLUTION = 6;

export interface CellLocation {
  cell: string;
  lat: number;
  lng: number;
}

export function cellOfPoint(lat: number, lng: number): CellLocation {
  const cell = latLngToCell(lat, lng, LOCATION_RESOLUTION);
  const [clat, clng] = cellToLatLng(cell);
  return { cell, lat: clat, lng: clng };
}

export function cellOfCity(code: string | null | undefined): CellLocation | undefined {
  const city = cityByCode(code);
  return city ? cellOfPoint(city.lat, city.lng) : undefined;
}

/** Distance between two cells' centroids in km (never from raw points). */
export function cellDistanceKm(a: string, b: string): number {
  if (a === b) return 0;
  const [alat, alng] = cellToLatLng(a);
  const [blat, blng] = cellToLatLng(b);
  return greatCircleDistance([alat, alng], [blat, blng], 'km');
}

export function bandBetween(a: string, b: string): DistanceBand {
  return bandFor(cellDistanceKm(a, b));
}

/**
 * Every cell whose centroid is under `km` from the centroid of `cell` (the distance filter runs in
 * SQL as `location_cell IN (…)`). Resolution-6 neighbours are ~6–7 km apart.
 */
export function cellsWithin(cell: string, km: number): string[] {
  const rings = Math.ceil(km / 5.5) + 1;
  return gridDisk(cell, rings).filter((c) => cellDistanceKm(cell, c) < km);
}

export function maxKmOfBand(band: DistanceBand): number | undefined {
  return band === 'gt50' ? undefined : BAND_EDGES_KM[band];
}

export function isLocationCell(value: string): boolean {
  return isValidCell(value) && getResolution(value) === LOCATION_RESOLUTION;
}
