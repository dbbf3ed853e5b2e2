
!
endpointpc.example.com:9440

usernameadmin

passwordpw


verify_ssl 
O
ca_certificate=;-----BEGIN CERTIFICATE-----
MIIB
-----END CERTIFICATE-----
