"""The pool of language mediators (Sprachmittlung): volunteers who interpret and paid mediators
or agencies, and their bookings for a visit, an accompaniment, a contact or a client's
appointment — requested by the caseworker, booked by the coordinator (or, where the house
allows it, by the caseworker), hours and costs recorded afterwards for the funders."""
