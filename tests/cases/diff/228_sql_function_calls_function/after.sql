CREATE FUNCTION net_price(gross numeric) RETURNS numeric LANGUAGE sql IMMUTABLE RETURN gross / 1.2;
CREATE FUNCTION net_price_rounded(gross numeric) RETURNS numeric LANGUAGE sql IMMUTABLE RETURN round(net_price(gross), 2);
