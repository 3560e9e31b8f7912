//! Points on the map: checked coordinates and the distance between them. No geocoding: points
//! come from the listing or from the viewer (typed, or their browser's location).

/// A latitude and longitude in degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lng: f64,
}

/// Why coordinates were refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PointError {
    #[error("Latitude must be a number between -90 and 90.")]
    Latitude,
    #[error("Longitude must be a number between -180 and 180.")]
    Longitude,
    #[error("Give a location as latitude,longitude, for example 41.8781,-87.6298.")]
    Format,
}

const EARTH_RADIUS_KM: f64 = 6371.0088;

impl Point {
    /// A checked point.
    pub fn new(lat: f64, lng: f64) -> Result<Point, PointError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(PointError::Latitude);
        }
        if !lng.is_finite() || !(-180.0..=180.0).contains(&lng) {
            return Err(PointError::Longitude);
        }
        Ok(Point { lat, lng })
    }

    /// Parses "lat,lng".
    pub fn parse(text: &str) -> Result<Point, PointError> {
        let (lat, lng) = text.split_once(',').ok_or(PointError::Format)?;
        let lat: f64 = lat.trim().parse().map_err(|_| PointError::Format)?;
        let lng: f64 = lng.trim().parse().map_err(|_| PointError::Format)?;
        Point::new(lat, lng)
    }

    /// Great-circle distance in kilometres.
    pub fn distance_km(self, other: Point) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = lat2 - lat1;
        let dlng = (other.lng - self.lng).to_radians();
        let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlng / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
    }

    /// The latitude and longitude spans (degrees) that contain every point within `km`
    /// (the longitude span taken at the band's edge nearest a pole, so it is never too small).
    pub fn degrees_around(self, km: f64) -> (f64, f64) {
        let lat_span = (km / EARTH_RADIUS_KM).to_degrees();
        let poleward = (self.lat.abs() + lat_span).min(90.0);
        let cos = poleward.to_radians().cos().max(0.01);
        let lng_span = (lat_span / cos).min(180.0);
        (lat_span, lng_span)
    }
}

/// The neighbourhood of a point, for ruling out far points cheaply before measuring exactly.
#[derive(Clone, Copy, Debug)]
pub struct Around {
    pub center: Point,
    pub km: f64,
    lat_span: f64,
    lng_span: f64,
}

impl Around {
    pub fn new(center: Point, km: f64) -> Around {
        // A margin covers the flat-earth estimate's error within a degree or so.
        let (lat_span, lng_span) = center.degrees_around(km * 1.05 + 1.0);
        Around {
            center,
            km,
            lat_span,
            lng_span,
        }
    }

    /// Whether `point` is certainly more than `km` from the centre (the exact distance decides
    /// the rest).
    pub fn surely_excludes(&self, point: Point) -> bool {
        let dlat = (point.lat - self.center.lat).abs();
        let dlng = (point.lng - self.center.lng).abs();
        let dlng = dlng.min(360.0 - dlng);
        if dlat > self.lat_span || dlng > self.lng_span {
            return true;
        }
        let (x, y) = (dlng / self.lng_span, dlat / self.lat_span);
        self.km <= 100.0 && x * x + y * y > 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_match_known_city_pairs() {
        let chicago = Point::new(41.8781, -87.6298).unwrap();
        let milwaukee = Point::new(43.0389, -87.9065).unwrap();
        let km = chicago.distance_km(milwaukee);
        assert!((km - 130.0).abs() < 3.0, "{km}");
        assert_eq!(chicago.distance_km(chicago), 0.0);
        assert!(Around::new(chicago, 100.0).surely_excludes(milwaukee));
        assert!(!Around::new(chicago, 131.0).surely_excludes(milwaukee));
    }

    #[test]
    fn out_of_range_coordinates_are_refused() {
        assert_eq!(Point::new(200.0, 0.0), Err(PointError::Latitude));
        assert_eq!(Point::new(0.0, -181.0), Err(PointError::Longitude));
        assert_eq!(Point::new(f64::NAN, 0.0), Err(PointError::Latitude));
        assert_eq!(Point::parse("41.9"), Err(PointError::Format));
        assert_eq!(Point::parse(" 41.9 , -87.6 ").unwrap().lng, -87.6);
    }
}
