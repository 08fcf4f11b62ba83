"""Intake: registering incoming letters (văn bản đến) and the tasks they carry."""
