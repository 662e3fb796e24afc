CREATE TABLE shipment (shipment_no bigint NOT NULL);
CREATE TABLE parcel (parcel_no bigint NOT NULL);
CREATE SEQUENCE tracking_seq;
ALTER SEQUENCE tracking_seq OWNED BY parcel.parcel_no;
