"""Service directory, consents, referrals and letters: built in the referrals issue."""
