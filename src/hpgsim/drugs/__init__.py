"""The drugs: records (data), closed-form PK, regimen parsing and protocols."""
